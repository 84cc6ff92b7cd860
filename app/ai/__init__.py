"""AI captions: an OpenAI-compatible chat API writes a caption and hashtags for a platform
(`captions`), with its settings (`config`), prompts and errors."""
