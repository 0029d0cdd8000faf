"""The framework model (DESIGN §11): agencies adopt a province's model documents and legal
registry, and take each framework release by a three-way merge.

:mod:`qmsdocs.framework.merge` merges a model's change into an agency's document, pure.
"""
