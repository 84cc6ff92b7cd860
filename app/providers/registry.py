"""Platform id → provider class. Every `Provider` subclass with an `id` in a module of this
package is a network: adding one is adding its module, nothing here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import Any

from app.providers.base import Provider


def _discover() -> dict[str, type[Provider]]:
    package = importlib.import_module("app.providers")
    found: dict[str, type[Provider]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and issubclass(cls, Provider)
                and cls.__module__ == module.__name__
                and "id" in vars(cls)
                and not inspect.isabstract(cls)
            ):
                found[cls.id] = cls
    return found


_PROVIDERS: dict[str, type[Provider]] = _discover()


class UnknownPlatform(KeyError):
    def __str__(self) -> str:
        return f"Unknown platform {self.args[0]!r}; known: {', '.join(sorted(_PROVIDERS))}"


def provider_class(platform_id: str) -> type[Provider]:
    try:
        return _PROVIDERS[platform_id]
    except KeyError:
        raise UnknownPlatform(platform_id) from None


def text_rules(platform_id: str) -> ModuleType:
    """The text rules module of a platform (`Provider.text_rules`)."""
    return provider_class(platform_id).text_rules


def get_provider(platform_id: str, **config: Any) -> Provider:
    """A ready provider, e.g. get_provider("mastodon", api_base=url, client_id=..., ...)."""
    return provider_class(platform_id)(**config)


def all_providers() -> list[type[Provider]]:
    """Provider classes (id, display_name, capabilities, default_limits) in a stable order."""
    return [_PROVIDERS[k] for k in sorted(_PROVIDERS)]


def register(cls: type[Provider]) -> type[Provider]:
    """Add a provider class (usable as a decorator, e.g. by plugins or tests)."""
    _PROVIDERS[cls.id] = cls
    return cls
