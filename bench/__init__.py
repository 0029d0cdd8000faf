"""Province-scale benchmarks of qmsdocs: the repository generator and the harness.

``python bench/generate.py DEST`` builds a large, valid QMS repository with its git
history; ``python bench/run.py`` (``make bench``) measures the library on it. Neither is
part of the installed package; see bench/README.md.
"""
