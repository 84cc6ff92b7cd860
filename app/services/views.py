"""Building the services' views (pydantic models) from rows and other objects."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

ViewT = TypeVar("ViewT", bound=BaseModel)


def copy_view(cls: type[ViewT], source: object, **values: Any) -> ViewT:
    """A `cls` made of `values`, its other fields copied from `source`'s attributes of the same
    names (so a view states only what differs from the row it shows)."""
    for name in cls.model_fields:
        if name not in values:
            values[name] = getattr(source, name)
    return cls(**values)
