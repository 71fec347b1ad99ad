"""Talking to piper's voice repository: where it is, and one sentence for each way a request fails.

The repository is a plain file tree (rhasspy/piper-voices on Hugging Face, or a mirror of it):
the catalogue is ``<base>/voices.json`` and each file is ``<base>/<its path>``. Both
:mod:`.catalogue` and :mod:`.download` reach it through here, so the offline message, the
timeouts and the error class are written once.

``requests`` is imported only when a request is made: listing the voices kept on this machine,
and ``--help``, never load it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

from ..errors import AudioGuideError, UsageError

if TYPE_CHECKING:
    import requests

URL_ENV: Final = "AUDIO_GUIDE_VOICES_URL"
DEFAULT_URL: Final = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
TIMEOUT: Final = (15.0, 60.0)
"""Seconds to connect, and to wait for the next bytes: a stalled mirror fails, a slow one does not."""
REFRESH: Final = "audio-guide voices --refresh"


class DownloadError(AudioGuideError):
    """The voice repository could not be reached, or sent something that is not what the catalogue
    promises. Not the user's mistake, so exit 1, like a build failure; nothing was installed."""


class RequestFailed(DownloadError):
    """A request that did not bring its file: ``what`` happened, and the ``hint`` says what to do.

    Kept apart so that a download can say which voice and file it was fetching; being offline
    is not one of these but a plain :class:`DownloadError`, one sentence on its own."""

    def __init__(self, what: str, hint: str) -> None:
        self.what = what
        self.hint = hint
        super().__init__(f"{what}; {hint}")


class DownloadInterrupted(DownloadError):
    """Ctrl-C (or SIGTERM) stopped a download; its temporary files are gone. Exit 130, as for any interrupt."""

    exit_code = 130


def base_url() -> str:
    """``$AUDIO_GUIDE_VOICES_URL`` (a mirror, a test server), else piper's repository on Hugging Face."""
    chosen = os.environ.get(URL_ENV)
    if not chosen:
        return DEFAULT_URL
    if not chosen.startswith(("http://", "https://")):
        raise UsageError(f"{URL_ENV} is '{chosen}', which is not an http:// or https:// address; correct it, "
                         "or unset it to use piper's own repository.")
    return chosen.rstrip("/")


def url_of(path: str) -> str:
    """The address of a file the catalogue lists by its path in the repository."""
    return f"{base_url()}/{quote(path)}"


def unreachable(command: str) -> DownloadError:
    """The offline error: one sentence naming the command to run again once online."""
    return DownloadError(f"cannot reach the piper voice repository ({base_url()}); "
                         f"connect to the internet and run: {command}")


def session() -> requests.Session:
    """A session for one command's requests (one connection for a voice's three files)."""
    import requests  # here, not at the top: see the module's docstring

    made = requests.Session()
    made.headers["User-Agent"] = "audio-guide (piper voice download)"
    made.headers["Accept-Encoding"] = "identity"  # the bytes as the catalogue sized them
    return made


def get(url: str, command: str, *, missing: str | None = None) -> bytes:
    """A small file (the catalogue) whole; :class:`DownloadError` in one sentence when it cannot be had.

    ``missing`` is what a 404 for it suggests (for the catalogue: the mirror's address is wrong)."""
    with session() as http, opened(http, url, command, stream=False, missing=missing) as response:
        return response.content


@contextmanager
def opened(http: requests.Session, url: str, command: str, *, stream: bool = True,
           missing: str | None = None) -> Iterator[requests.Response]:
    """The response for ``url``, its status checked (200 or a one-sentence error), closed on leaving."""
    try:
        response = http.get(url, stream=stream, timeout=TIMEOUT)
    except _request_errors() as exc:
        raise failed(exc, url, command) from None
    with response:
        if response.status_code != 200:
            raise refused(response, command, missing)
        yield response


class Broken(Exception):
    """A transfer that broke off part way; its text says how, for the caller's own sentence."""


def chunks(response: requests.Response, size: int = 1 << 16) -> Iterator[bytes]:
    """The body as it arrives; :class:`Broken` when the connection drops or stalls before the end."""
    import requests

    try:
        yield from response.iter_content(size)
    except requests.Timeout:
        raise Broken("the repository stopped sending") from None
    except requests.RequestException:
        raise Broken("the connection broke off") from None


def _request_errors() -> type[Exception]:
    import requests

    return requests.RequestException


def failed(exc: Exception, url: str, command: str) -> DownloadError:
    """A request that raised: offline (no connection at all), too slow, or cut off."""
    import requests

    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return RequestFailed(f"the download of {url} broke off", f"try again with: {command}")
    if isinstance(exc, requests.ConnectionError):
        return unreachable(command)
    if isinstance(exc, requests.Timeout):
        return RequestFailed(f"the piper voice repository did not answer in time ({url})",
                             f"try again later with: {command}")
    return RequestFailed(f"the request for {url} failed ({type(exc).__name__})", f"try again with: {command}")


def refused(response: requests.Response, command: str, missing: str | None = None) -> RequestFailed:
    """A response that is not the file: a 404 from a mirror that lacks it, a 5xx from a busy server."""
    if response.status_code == 404:
        hint = missing or ("the repository has no such file; if the kept catalogue is out of date, update it "
                           f"with: {REFRESH}")
    else:
        hint = f"try again later with: {command}"
    return RequestFailed(f"{response.url} answered {response.status_code} {response.reason}", hint)
