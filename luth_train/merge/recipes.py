"""Merge recipes: our shorthand (`MergeRecipe`) expanded to mergekit YAML, or a mergekit YAML
taken unchanged (`resolve_recipe`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from luth_train.merge.errors import MergeError

# The authors' SLERP gradients (t per layer block, interpolated across depth by mergekit).
AUTHORS_SLERP_SELF_ATTN: tuple[float, ...] = (0.0, 0.5, 0.3, 0.7, 1.0)
AUTHORS_SLERP_MLP: tuple[float, ...] = (1.0, 0.5, 0.7, 0.3, 0.0)


class MergeRecipe(BaseModel):
    """Our shorthand for a base/fine-tuned merge; expands to mergekit YAML."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    method: Literal["linear", "slerp"] = "linear"
    base_model: str
    finetuned_model: str
    alpha: float = Field(0.5, ge=0.0, le=1.0, description="weight of the fine-tuned model")
    self_attn_t: list[float] | None = Field(None, description="SLERP t gradient for self_attn")
    mlp_t: list[float] | None = Field(None, description="SLERP t gradient for mlp")
    dtype: str = "bfloat16"
    out_dtype: str | None = None

    @model_validator(mode="after")
    def _check(self) -> MergeRecipe:
        grads = {"self_attn_t": self.self_attn_t, "mlp_t": self.mlp_t}
        for key, grad in grads.items():
            if grad is None:
                continue
            if self.method != "slerp":
                raise ValueError(f"{key} is a SLERP gradient; method is {self.method!r}")
            if not grad:
                raise ValueError(f"{key} must not be empty")
            if any(not 0.0 <= v <= 1.0 for v in grad):
                raise ValueError(f"{key} values must lie in [0, 1], got {grad}")
        return self

    @classmethod
    def authors_slerp(
        cls, base_model: str, finetuned_model: str, alpha: float = 0.5, **kw: Any
    ) -> MergeRecipe:
        return cls(
            method="slerp",
            base_model=base_model,
            finetuned_model=finetuned_model,
            alpha=alpha,
            self_attn_t=list(AUTHORS_SLERP_SELF_ATTN),
            mlp_t=list(AUTHORS_SLERP_MLP),
            **kw,
        )

    @property
    def slug(self) -> str:
        if self.name:
            return self.name
        tag = f"{self.method}_a{self.alpha:g}"
        if self.self_attn_t or self.mlp_t:
            tag += "_grad"
        return tag

    def to_mergekit(self) -> dict[str, Any]:
        a = round(float(self.alpha), 10)
        cfg: dict[str, Any]
        if self.method == "linear":
            cfg = {
                "merge_method": "linear",
                "models": [
                    {"model": self.base_model, "parameters": {"weight": round(1.0 - a, 10)}},
                    {"model": self.finetuned_model, "parameters": {"weight": a}},
                ],
            }
        else:
            t: list[dict[str, Any]] = []
            if self.self_attn_t:
                t.append({"filter": "self_attn", "value": [float(v) for v in self.self_attn_t]})
            if self.mlp_t:
                t.append({"filter": "mlp", "value": [float(v) for v in self.mlp_t]})
            t.append({"value": a})
            cfg = {
                "merge_method": "slerp",
                "base_model": self.base_model,
                "models": [{"model": self.base_model}, {"model": self.finetuned_model}],
                "parameters": {"t": t},
            }
        cfg["dtype"] = self.dtype
        if self.out_dtype:
            cfg["out_dtype"] = self.out_dtype
        return cfg

    def to_mergekit_yaml(self) -> str:
        return yaml.safe_dump(self.to_mergekit(), sort_keys=False, default_flow_style=None)


def sweep_recipes(
    base_model: str,
    finetuned_model: str,
    alphas: Sequence[float] = (0.1, 0.3, 0.5, 0.7, 0.9),
    *,
    authors_slerp: bool = True,
    dtype: str = "bfloat16",
) -> list[MergeRecipe]:
    """The demo sweep: linear at each alpha, plus the authors' SLERP gradients."""
    out = [
        MergeRecipe(
            name=f"linear_a{a:g}",
            method="linear",
            base_model=base_model,
            finetuned_model=finetuned_model,
            alpha=a,
            dtype=dtype,
        )
        for a in alphas
    ]
    if authors_slerp:
        out.append(MergeRecipe.authors_slerp(base_model, finetuned_model, name="slerp_authors", dtype=dtype))
    return out


@dataclass
class ResolvedRecipe:
    """A recipe ready to run: mergekit YAML text plus which model is base and which fine-tuned."""

    mergekit_yaml: str
    method: str
    base_model: str
    finetuned_model: str
    recipe: MergeRecipe | None = None  # None when a mergekit YAML was given unchanged
    source: str | None = None


def _listed_models(cfg: dict[str, Any]) -> list[str]:
    """Models named in a mergekit config, in the order they appear (base first if given)."""

    def name(ref: Any) -> str:
        return ref if isinstance(ref, str) else str(ref.get("model", ref))

    out: list[str] = []
    if cfg.get("base_model"):
        out.append(name(cfg["base_model"]))
    for m in cfg.get("models") or []:
        out.append(name(m["model"]))
    for s in cfg.get("slices") or []:
        for src in s.get("sources") or []:
            out.append(name(src["model"]))
    for mod in (cfg.get("modules") or {}).values():
        for m in mod.get("models") or []:
            out.append(name(m["model"]))
        for s in mod.get("slices") or []:
            for src in s.get("sources") or []:
                out.append(name(src["model"]))
    return list(dict.fromkeys(out))


PLACEHOLDERS = {"BASE_MODEL": "--base-model", "FINETUNED_MODEL": "--finetuned-model"}


def fill_placeholders(data: Any, values: dict[str, str | None]) -> tuple[Any, bool]:
    """Replace every string equal to a placeholder (``BASE_MODEL``, ``FINETUNED_MODEL``) that has a
    value; returns (new data, whether anything changed)."""
    if isinstance(data, str):
        value = values.get(data)
        return (value, True) if value else (data, False)
    if isinstance(data, dict):
        items = {k: fill_placeholders(v, values) for k, v in data.items()}
        return {k: v for k, (v, _) in items.items()}, any(c for _, c in items.values())
    if isinstance(data, list):
        items = [fill_placeholders(v, values) for v in data]
        return [v for v, _ in items], any(c for _, c in items)
    return data, False


def remaining_placeholders(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data] if data in PLACEHOLDERS else []
    if isinstance(data, dict):
        return sorted({p for v in data.values() for p in remaining_placeholders(v)})
    if isinstance(data, list):
        return sorted({p for v in data for p in remaining_placeholders(v)})
    return []


def resolve_recipe(
    source: MergeRecipe | dict[str, Any] | str | Path,
    *,
    base_model: str | None = None,
    finetuned_model: str | None = None,
) -> ResolvedRecipe:
    """Turn a recipe (ours or mergekit's, object / dict / YAML path) into mergekit YAML.

    A mergekit YAML file is passed through byte for byte. Its base model is ``base_model`` when
    set, else the first model listed; the fine-tuned model is the other one (override either with
    the keyword arguments when a recipe names more than two models).
    """
    from mergekit.config import MergeConfiguration

    src_name: str | None = None
    text: str | None = None
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise MergeError(f"recipe file {path} does not exist")
        text = path.read_text(encoding="utf-8")
        src_name = str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise MergeError(f"recipe file {path} is not valid YAML: {e}") from e
        if not isinstance(data, dict):
            raise MergeError(f"recipe file {path}: expected a mapping at top level")
    elif isinstance(source, MergeRecipe):
        data = None
    else:
        data = dict(source)

    if data is not None:
        data, changed = fill_placeholders(
            data, {"BASE_MODEL": base_model, "FINETUNED_MODEL": finetuned_model})
        if changed:
            text = None  # re-dumped below with the models filled in
        left = remaining_placeholders(data)
        if left:
            flags = " and ".join(f"{PLACEHOLDERS[p]} (for {p})" for p in left)
            raise MergeError(f"recipe {src_name or '<dict>'} still names the placeholder model(s) "
                             f"{', '.join(left)}: pass {flags}")

    recipe: MergeRecipe | None = None
    if isinstance(source, MergeRecipe):
        recipe = source
    elif data is not None and "merge_method" not in data:
        try:
            recipe = MergeRecipe.model_validate(data)
        except Exception as e:
            raise MergeError(f"recipe {src_name or '<dict>'} is not a valid merge recipe: {e}") from e

    if recipe is not None:
        text = recipe.to_mergekit_yaml()
        mk = recipe.to_mergekit()
    else:
        assert data is not None
        mk = data
        if text is None:
            text = yaml.safe_dump(mk, sort_keys=False, default_flow_style=None)
    try:
        MergeConfiguration.model_validate(mk)
    except Exception as e:
        raise MergeError(f"recipe {src_name or '<recipe>'} is not a valid mergekit config: {e}") from e

    models = _listed_models(mk)
    base = base_model or (recipe.base_model if recipe else models[0] if models else None)
    if not base:
        raise MergeError(f"recipe {src_name or '<recipe>'} names no model")
    if finetuned_model:
        ft = finetuned_model
    elif recipe:
        ft = recipe.finetuned_model
    else:
        others = [m for m in models if m != base]
        if len(others) != 1:
            raise MergeError(
                f"recipe {src_name or '<recipe>'} names models {models}; cannot tell which is the "
                "fine-tuned one - pass finetuned_model"
            )
        ft = others[0]
    return ResolvedRecipe(
        mergekit_yaml=text,
        method=str(mk["merge_method"]),
        base_model=base,
        finetuned_model=ft,
        recipe=recipe,
        source=src_name,
    )
