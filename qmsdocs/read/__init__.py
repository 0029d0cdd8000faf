"""Reading a QMS: the files of a repository turned into documents, findings and facts.

``store/`` is the edge where one library each talks to the outside (git, YAML, the cache
folder, atomic files); ``read/`` is the layer above it that builds what a repository *is*
from its files: the index of files, the parse caches, the documents and legal registry,
the facts lists and impact read. It has its own package, rather than living in ``store/``,
because it holds no library of its own and no write path: it is what the facade
(:mod:`qmsdocs.repository`), the validation and impact runs and the actions read through.

- :mod:`qmsdocs.read.files`: parsing one file, the index rows, lazy entries;
- :mod:`qmsdocs.read.reader`: :class:`~qmsdocs.read.reader.Reader`, one repository read
  from a work tree, with the stat-keyed caches in memory and in ``<git dir>/qms-cache/``.
"""
