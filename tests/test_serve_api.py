"""`publisher serve`'s HTTP API, driven over HTTP (httpx) against a real server process.

Every good answer is checked as a file (EPUBCheck, pikepdf, bag verification),
every bad one as the JSON error the command line would print.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pikepdf
import pytest
from conftest import SEED, SEEDS, run_epubcheck
from PIL import Image
from serve_helpers import Server, long_article, running_server

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    watched = tmp_path_factory.mktemp("watched")
    with running_server(
        "--workers", "2", "--watch", watched, "--max-request-mb", "1", "--max-pages", "4"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


def seed_form(name: str = SEED.name) -> dict[str, tuple[str, bytes]]:
    return {"article": (name, SEED.read_bytes())}


def assert_error(response: httpx.Response, status: int, *words: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "hint"}
    assert "\n" not in body["error"]
    for word in words:
        assert word in body["error"] + " " + body["hint"]
    return body


def test_healthz(client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    assert health["ok"] is True
    assert health["workers"] == health["alive"] == 2


def test_build_epub_is_valid(client: httpx.Client, tmp_path: Path) -> None:
    response = client.post("/v1/build", params={"format": "epub"}, files=seed_form())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/epub+zip"
    assert 'filename="article.epub"' in response.headers["content-disposition"]
    epub = tmp_path / "article.epub"
    epub.write_bytes(response.content)
    report = run_epubcheck(epub)
    assert report.clean, report.messages


def test_build_pdf_with_print_options(client: httpx.Client) -> None:
    params = {"format": "pdf", "page_size": "A5", "bleed": "3mm", "marks": "crop"}
    response = client.post("/v1/build", params=params, files=seed_form())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        trim = [float(v) for v in pdf.pages[0].TrimBox]
        media = [float(v) for v in pdf.pages[0].MediaBox]
    assert round((trim[2] - trim[0]) / 72 * 25.4) == 148  # A5 wide
    assert media[2] - media[0] > trim[2] - trim[0]  # bleed and marks around it


def test_build_both_is_a_zip_of_valid_files(client: httpx.Client) -> None:
    response = client.post("/v1/build", params={"theme": "broadsheet"}, files=seed_form())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as both:
        assert sorted(both.namelist()) == ["article.epub", "article.pdf"]
        with pikepdf.open(io.BytesIO(both.read("article.pdf"))) as pdf:
            assert len(pdf.pages) >= 1
        with zipfile.ZipFile(io.BytesIO(both.read("article.epub"))) as epub:
            assert epub.read("mimetype") == b"application/epub+zip"


def test_build_from_json_model_body(client: httpx.Client) -> None:
    model = client.post("/v1/normalise", files=seed_form()).json()
    response = client.post(
        "/v1/build",
        params={"format": "epub"},
        content=json.dumps(model),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as epub:
        text = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    assert model["headline"] in text


def test_build_markdown_body(client: httpx.Client) -> None:
    body = "# Harbour reopens\n\nThe harbour reopened on *Monday* after repairs.\n"
    response = client.post(
        "/v1/build",
        params={"format": "pdf", "lang": "en"},
        content=body,
        headers={"content-type": "text/markdown"},
    )
    assert response.status_code == 200, response.text
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        assert len(pdf.pages) == 1


def test_photo_and_sidecar_are_used(client: httpx.Client) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (800, 500), (40, 90, 160)).save(picture, "JPEG")
    stem = "de_hamburg_busse"
    files = {
        "article": (f"{stem}.txt", (SEEDS / f"{stem}.txt").read_bytes()),
        "sidecar": (f"{stem}.toml", (SEEDS / f"{stem}.toml").read_bytes()),
        "photo": ("../../../../tmp/evil.jpg", picture.getvalue()),
    }
    response = client.post("/v1/build", params={"format": "epub"}, files=files)
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as epub:
        names = epub.namelist()
        opf = next(epub.read(n).decode() for n in names if n.endswith(".opf"))
    assert any(n.endswith((".jpg", ".jpeg")) and "cover" not in n for n in names), names
    sidecar = (SEEDS / f"{stem}.toml").read_text(encoding="utf-8")
    assert 'language = "de"' in sidecar.replace("lang =", "language =") or "de" in opf
    assert "<dc:language>de</dc:language>" in opf


def test_normalise_returns_json_with_change_log(client: httpx.Client) -> None:
    response = client.post("/v1/normalise", files=seed_form())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["headline"].startswith("US, Iraq")
    assert body["changes"] and {"rule", "where", "before", "after"} <= set(body["changes"][0])
    assert body["source"] == "article.txt"  # the server's name, never the client's


def test_archive_returns_a_verified_bag(client: httpx.Client, tmp_path: Path) -> None:
    from publisher.package.verify import verify_bag

    response = client.post("/v1/archive", files=seed_form())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    bag = tmp_path / "bag.zip"
    bag.write_bytes(response.content)
    report = verify_bag(bag)
    assert report.ok, report.problems


@pytest.mark.parametrize(
    "filename",
    [
        "../../../../tmp/publisher-escape.txt",
        "/etc/cron.d/x.txt",
        "..\\..\\win.txt",
        "a/../../b.text",
    ],
)
def test_uploaded_file_names_never_reach_the_file_system(
    client: httpx.Client, filename: str
) -> None:
    response = client.post("/v1/normalise", files=seed_form(filename))
    assert response.status_code == 200, response.text
    assert response.json()["source"] in ("article.txt", "article.text")
    assert not Path("/tmp/publisher-escape.txt").exists()
    assert not Path("/etc/cron.d/x.txt").exists()


def test_theme_is_a_builtin_name_only(client: httpx.Client) -> None:
    for theme in ("../../etc", "/usr/share", "no-such-theme", "default/../default"):
        response = client.post("/v1/build", params={"theme": theme}, files=seed_form())
        assert_error(response, 400, "Installed themes")


def test_bad_inputs_are_json_errors_like_the_cli(client: httpx.Client) -> None:
    assert_error(
        client.post("/v1/build", files={"article": ("story.exe", b"MZ...")}),
        422,
        "cannot read '.exe' files",
    )
    assert_error(
        client.post("/v1/build", files={"article": ("story.txt", b"  \n")}), 422, "is empty"
    )
    assert_error(
        client.post("/v1/build", params={"page_size": "huge"}, files=seed_form()),
        400,
        "'huge' is not a page size",
    )
    assert_error(
        client.post("/v1/build", params={"format": "docx"}, files=seed_form()),
        400,
        "'docx' is not a format",
    )
    assert_error(
        client.post("/v1/build", params={"pdf_variant": "pdf/z-9"}, files=seed_form()), 400
    )
    assert_error(client.post("/v1/build", files={"photo": ("p.jpg", b"x")}), 400, "'article'")
    assert_error(
        client.post("/v1/build", content=b"x", headers={"content-type": "image/png"}),
        400,
        "cannot take a request body",
    )
    broken = {"article": ("story.json", b'{"schema_version": "1.1"')}
    assert_error(client.post("/v1/build", files=broken), 422)
    assert_error(client.get("/v1/nothing"), 404)
    assert_error(client.get("/v1/build"), 405)


def test_request_size_is_limited(client: httpx.Client) -> None:
    big = {"article": ("story.txt", b"Headline\n\n" + b"word " * 300_000)}  # 1.5 MB > 1 MB
    assert_error(client.post("/v1/build", files=big), 413, "1 MB", "--max-request-mb")


def test_page_count_is_limited(client: httpx.Client) -> None:
    article = {"article": ("long.txt", long_article(60).encode())}
    body = assert_error(
        client.post("/v1/build", params={"format": "pdf"}, files=article), 422, "at most 4"
    )
    assert "--max-pages" in body["hint"]


def test_openapi_and_self_contained_docs(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/v1/build", "/v1/archive", "/v1/normalise", "/healthz"} <= set(schema["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/v1/build" in docs.text and "page_size" in docs.text and "sidecar" in docs.text
    page = docs.text + client.get("/").text + client.get("/assets/preview.js").text
    assert "http://" not in page and "https://" not in page  # nothing loads from the network
    assert_error(client.get("/assets/..%2f__init__.py"), 404)


def test_readme_curl_examples_run(server: Server, tmp_path: Path) -> None:
    """Every `curl` line of the README, against this server, in a folder with the seeds."""
    import re
    import shlex
    import shutil
    import subprocess

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^curl (.+)$", readme, flags=re.MULTILINE)
    assert len(commands) >= 6
    shutil.copytree(SEEDS, tmp_path / "seeds")
    for command in commands:
        args = shlex.split(command.replace("http://127.0.0.1:8000", server.url))
        done = subprocess.run(
            ["curl", "--noproxy", "*", *args], cwd=tmp_path, capture_output=True, timeout=300
        )
        assert done.returncode == 0, (command, done.stderr)
    assert zipfile.is_zipfile(tmp_path / "again.epub")
    with pikepdf.open(tmp_path / "story.pdf") as pdf:
        assert len(pdf.pages) >= 1
    assert json.loads((tmp_path / "story.json").read_text(encoding="utf-8"))["changes"]


def test_paths_inside_the_article_stay_in_its_temporary_folder(client: httpx.Client) -> None:
    """A sidecar's or JSON model's image path may not leave the request's own folder."""
    for path in ("../../../etc/hostname", "/usr/share/pixmaps/debian-logo.png"):
        sidecar = {**seed_form(), "sidecar": ("story.toml", f'image = "{path}"\n'.encode())}
        body = assert_error(client.post("/v1/build", files=sidecar), 422, "outside")
        assert "/tmp" not in body["error"]
        model = {"schema_version": "1.1", "headline": "H", "paragraphs": ["Text."]}
        response = client.post(
            "/v1/build",
            content=json.dumps({**model, "image": {"path": path}}),
            headers={"content-type": "application/json"},
        )
        assert_error(response, 422, "outside")


def test_preview_routes(client: httpx.Client) -> None:
    """The preview page's own routes: pasted text, and names looked up, never joined to paths."""
    pasted = client.post(
        "/preview/paste",
        content="# Tram runs again\n\nThe tram runs again from *Monday*.\n",
        headers={"content-type": "text/markdown"},
    ).json()
    assert "error" not in pasted, pasted
    assert pasted["pages"] == 1 and pasted["epub_text"][0]["text"] == "Tram runs again"
    picture = client.get(pasted["images"][0])
    assert picture.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).width > 100
    empty = client.post("/preview/paste", content=" \n", headers={"content-type": "text/plain"})
    assert "is empty" in empty.json()["error"]["error"]
    hostile = client.post(
        "/preview/paste",
        params={"theme": "../../etc"},
        content="Headline\n\nText.\n",
        headers={"content-type": "text/plain"},
    ).json()
    assert "Installed themes" in hostile["error"]["hint"]
    listing = client.get("/preview/articles").json()
    assert listing["articles"] == [] and "broadsheet" in listing["themes"]
    for name in ("..%2F..%2Fetc%2Fpasswd", "x.txt"):
        assert_error(client.get(f"/preview/article/{name}"), 404)
    assert_error(client.get("/preview/picture/nothing/1.png"), 404)
