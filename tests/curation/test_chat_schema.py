"""One chat schema: the system prompt policy and the reasons a row does not fit."""

from __future__ import annotations

import polars as pl
import pytest
from pydantic import ValidationError

from luth_assets.stages.curation.chat_schema import apply_system_prompt, split_valid_chats
from luth_assets.stages.curation.settings import SystemPromptConfig

from .helpers import chat_frame, exchange

SYSTEM = {"role": "system", "content": "Réponds en français."}


def _rows() -> pl.DataFrame:
    u, a = exchange("Bonjour, ça va ?", "Très bien, merci.")
    return chat_frame([
        {"sample_id": "ok", "subset": "gathered", "source": "s", "messages": [u, a]},
        {"sample_id": "ok_system", "subset": "gathered", "source": "s",
         "messages": [SYSTEM, u, a, u, a]},
        {"sample_id": "empty", "subset": "gathered", "source": "s",
         "messages": [u, {"role": "assistant", "content": " \n "}]},
        {"sample_id": "null_content", "subset": "gathered", "source": "s",
         "messages": [u, {"role": "assistant", "content": None}]},
        {"sample_id": "late_system", "subset": "gathered", "source": "s",
         "messages": [u, SYSTEM, a]},
        {"sample_id": "two_users", "subset": "gathered", "source": "s", "messages": [u, u, a]},
        {"sample_id": "ends_with_user", "subset": "gathered", "source": "s",
         "messages": [u, a, u]},
        {"sample_id": "only_system", "subset": "gathered", "source": "s", "messages": [SYSTEM]},
        {"sample_id": "no_messages", "subset": "gathered", "source": "s", "messages": []},
    ])


def test_invalid_chats_are_rejected_with_their_reason() -> None:
    valid, invalid = split_valid_chats(_rows().lazy())
    assert valid.collect()["sample_id"].to_list() == ["ok", "ok_system"]
    reasons = dict(invalid.collect().select("sample_id", "reason").iter_rows())
    assert reasons == {"empty": "empty_turn", "null_content": "empty_turn",
                       "late_system": "misplaced_system", "two_users": "roles_not_alternating",
                       "ends_with_user": "no_final_answer", "only_system": "no_turns",
                       "no_messages": "no_turns"}


def test_system_prompt_policy() -> None:
    rows = _rows().head(2).lazy()
    kept = apply_system_prompt(rows, SystemPromptConfig(policy="keep")).collect()
    assert kept.equals(rows.collect())
    dropped = apply_system_prompt(rows, SystemPromptConfig(policy="drop")).collect()
    assert [m[0]["role"] for m in dropped["messages"].to_list()] == ["user", "user"]
    forced = apply_system_prompt(rows, SystemPromptConfig(policy="set", text="Sois bref.")
                                 ).collect()
    firsts = [m[0] for m in forced["messages"].to_list()]
    assert firsts == [{"role": "system", "content": "Sois bref."}] * 2
    assert [len(m) for m in forced["messages"].to_list()] == [3, 5]  # old system prompt replaced
    with pytest.raises(ValidationError, match="text is required"):
        SystemPromptConfig(policy="set")
