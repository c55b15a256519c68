"""The transformers provider is text only: a request carrying an image is rejected with a reason
that says so, never answered as if the page were not there."""

from __future__ import annotations

from pathlib import Path

from luth_assets.lib.llm import (
    GenerationParams,
    ImagePart,
    LLMClient,
    LLMRequest,
    LLMSettings,
    Message,
    build_provider,
)

TEXTS = ["Bonjour, comment allez-vous ? Je vais bien, merci.", "Transcris cette page."] * 10


def test_an_image_request_is_rejected_by_the_text_only_provider(tmp_path: Path):
    from luth_train.tiny_model import build_tiny_model

    checkpoint = build_tiny_model(tmp_path / "tiny", TEXTS, seed=0)
    settings = LLMSettings(provider="transformers", model=str(checkpoint),
                           transformers={"batch_size": 2, "max_new_tokens": 4})
    page = LLMRequest(sample_id="page", stage="scholar_vision", params=GenerationParams(
        temperature=0.0), messages=[Message(role="user", content="Transcris cette page.",
                                            images=(ImagePart(data=b"\x89PNG fake"),))])
    text = page.model_copy(update={"sample_id": "text", "messages": (
        Message(role="user", content="Transcris cette page."),)})
    out = LLMClient(build_provider(settings), settings=settings).run([page, text])
    by_id = out.by_id()
    assert (by_id["page"].status, by_id["page"].reason) == ("rejected", "provider_error")
    assert "text only" in by_id["page"].error
    # the same prompt without the image goes to the model (a tiny random model may well answer
    # nothing, which is another reason)
    assert by_id["text"].reason != "provider_error" and by_id["text"].requests >= 1
