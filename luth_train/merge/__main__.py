"""`python -m luth_train.merge RECIPE.yaml OUT_DIR`, the same as `luth merge`."""

from luth_train.merge.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
