"""The archival package: the BagIt bag, its verification and the format checks.

``verify.verify_bag`` checks a bag folder or a zip of one and returns a
``report.Report`` that lists every problem at once; ``checks`` holds the
per-format checks (EPUBCheck for EPUB, pikepdf for PDF) it uses.
"""
