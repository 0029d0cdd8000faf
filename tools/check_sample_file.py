"""Check sample YAML files against the models (helper for writing sample data).

Usage: .venv/bin/python tools/check_sample_file.py FILE...
"""
import sys
from ruamel.yaml import YAML
from pydantic import ValidationError
from qmsdocs.model import MODELS, DocumentKind

FOLDERS = {"procedures": "procedure", "policies": "policy", "objectives": "objectives", "forms": "form", "legal": "legal"}
bad = 0
for name in sys.argv[1:]:
    folder = name.rstrip("/").split("/")[-2]
    model = MODELS[DocumentKind(FOLDERS[folder])]
    try:
        text = open(name, encoding="utf-8").read()
        assert text.startswith("# yaml-language-server: $schema="), "missing $schema comment on line 1"
        model.model_validate(YAML(typ="safe").load(text))
    except (ValidationError, Exception) as e:
        bad += 1
        print(f"{name}: {e}")
print("ok" if not bad else f"{bad} bad")
