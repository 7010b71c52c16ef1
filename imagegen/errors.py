"""One JSON error shape for every 4xx, and the mapping from validation errors into it."""

from typing import Any

from pydantic import BaseModel, Field, ValidationError
from pydantic_core import PydanticCustomError
from starlette.responses import JSONResponse

from imagegen.textparams import DRAWN_TEXT_MESSAGE, DRAWN_TEXT_PATTERN

# pydantic's context keys that state the bound an input broke.
_LIMIT_KEYS = ("le", "lt", "ge", "gt", "max_length", "min_length", "limit", "expected", "pattern")


class ParameterProblem(BaseModel):
    """What is wrong with one parameter."""

    parameter: str = Field(description="The parameter's name, as in the URL or JSON body.")
    message: str = Field(description="What is wrong and what is allowed.")
    limit: Any = Field(None, description="The bound that was broken, when there is one.")


class ErrorBody(BaseModel):
    """The body of every error response."""

    status: int = Field(description="The HTTP status code, repeated for convenience.")
    error: str = Field(description="A stable machine-readable code, such as `invalid_parameter`.")
    message: str = Field(description="A sentence for a person.")
    parameters: list[ParameterProblem] = Field(
        default_factory=list, description="One entry per invalid parameter."
    )
    available: list[str] = Field(
        default_factory=list, description="With 406: the media types this route can return."
    )


class ApiError(Exception):
    """An error answered with `ErrorBody` and its status code."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        parameters: list[ParameterProblem] | None = None,
        available: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.body = ErrorBody(
            status=status,
            error=error,
            message=message,
            parameters=parameters or [],
            available=available or [],
        )
        self.headers = headers or {}


def error_response(
    status: int, error: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """An `ErrorBody` response, for the layers that answer before the app's handlers."""
    body = ErrorBody(status=status, error=error, message=message)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def body_too_large(limit: int) -> ApiError:
    """A 413 for a request body over `limit` bytes."""
    return ApiError(413, "body_too_large", f"The request body must be at most {limit} bytes.")


def invalid_parameter(parameter: str, message: str, limit: Any = None) -> ApiError:
    """A 422 for one parameter."""
    problem = ParameterProblem(parameter=parameter, message=message, limit=limit)
    return ApiError(422, "invalid_parameter", f"{parameter}: {message}", [problem])


def limit_error(parameter: str, message: str, limit: int | float) -> PydanticCustomError:
    """Raise this from a model validator to blame `parameter` for a cross-field limit."""
    return PydanticCustomError("limit_exceeded", message, {"parameter": parameter, "limit": limit})


def _problem(error: Any) -> ParameterProblem:
    ctx = error.get("ctx") or {}
    loc = [str(part) for part in error["loc"]]
    parameter = ".".join(loc) if loc else str(ctx.get("parameter", "body"))
    limit = next((ctx[key] for key in _LIMIT_KEYS if key in ctx), None)
    if limit is None and error["type"] == "missing":
        limit = "required"  # the limit a missing value breaks: that it must be given
    message = error["msg"].removeprefix("Value error, ")
    if ctx.get("pattern") == DRAWN_TEXT_PATTERN:
        message = DRAWN_TEXT_MESSAGE
    return ParameterProblem(
        parameter=parameter, message=message, limit=limit if _is_plain(limit) else str(limit)
    )


def _is_plain(value: object) -> bool:
    return value is None or isinstance(value, int | float | str | bool)


def from_validation_error(exc: ValidationError) -> ApiError:
    """A 422 naming every invalid parameter of a pydantic validation failure."""
    problems = [_problem(error) for error in exc.errors(include_url=False, include_input=False)]
    summary = "; ".join(f"{p.parameter}: {p.message}" for p in problems)
    return ApiError(422, "invalid_parameter", summary, problems)
