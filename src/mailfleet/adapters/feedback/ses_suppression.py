"""Amazon SES v2's account-level suppression list, through boto3's ``sesv2`` client.

API (https://docs.aws.amazon.com/ses/latest/APIReference-V2/): ``ListSuppressedDestinations``
(``GET /v2/email/suppression/addresses``, paged by ``NextToken``),
``PutSuppressedDestination`` (``PUT``, one address and a ``Reason`` of ``BOUNCE`` or
``COMPLAINT``), ``DeleteSuppressedDestination`` (``DELETE .../addresses/{EmailAddress}``,
``NotFoundException`` when absent). The list is per account and region, with no expiry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mailfleet.core.errors import ProviderError
from mailfleet.core.feedback.relay_suppression import RemoteKind, RemoteSuppression

_REASONS = {RemoteKind.BOUNCE: "BOUNCE", RemoteKind.COMPLAINT: "COMPLAINT"}
_PAGE = 1000  # the API's largest page


def _error(action: str, exc: Exception) -> ProviderError:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "error")
        return ProviderError(f"SES {action}: {code}")
    return ProviderError(f"SES {action}: {type(exc).__name__}")


class SesSuppressionList:
    """``RelaySuppressionList`` over an SES v2 client (credentials from boto3's usual chain)."""

    kinds: tuple[RemoteKind, ...] = (RemoteKind.BOUNCE, RemoteKind.COMPLAINT)
    unsubscribe_scope: str | None = None

    def __init__(self, client: Any, *, name: str = "ses") -> None:
        self.name = name
        self._client = client

    def entries(self) -> list[RemoteSuppression]:
        """Every suppressed destination, following ``NextToken`` to the last page."""
        found: list[RemoteSuppression] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            args: dict[str, Any] = {"PageSize": _PAGE}
            if token:
                args["NextToken"] = token
            try:
                page = self._client.list_suppressed_destinations(**args)
            except (ClientError, BotoCoreError) as exc:
                raise _error("list suppressed destinations", exc) from exc
            for item in page.get("SuppressedDestinationSummaries", []):
                reason = str(item.get("Reason", "BOUNCE")).upper()
                kind = RemoteKind.COMPLAINT if reason == "COMPLAINT" else RemoteKind.BOUNCE
                when = item.get("LastUpdateTime")
                found.append(
                    RemoteSuppression(
                        str(item.get("EmailAddress", "")),
                        kind,
                        when if isinstance(when, datetime) else None,
                    )
                )
            token = page.get("NextToken")
            if not token or token in seen:  # a repeated token would loop forever
                return found
            seen.add(token)

    def add(self, entries: Sequence[RemoteSuppression]) -> int:
        """One ``PutSuppressedDestination`` per address (the API has no batch form)."""
        sent = 0
        for entry in entries:
            reason = _REASONS.get(entry.kind)
            if reason is None:
                continue
            try:
                self._client.put_suppressed_destination(EmailAddress=entry.address, Reason=reason)
            except (ClientError, BotoCoreError) as exc:
                raise _error("put suppressed destination", exc) from exc
            sent += 1
        return sent

    def remove(self, address: str) -> bool:
        """``DeleteSuppressedDestination``; ``False`` when SES did not have the address."""
        try:
            self._client.delete_suppressed_destination(EmailAddress=address)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NotFoundException":
                return False
            raise _error("delete suppressed destination", exc) from exc
        except BotoCoreError as exc:
            raise _error("delete suppressed destination", exc) from exc
        return True


def ses_suppression_list(region: str, *, endpoint_url: str | None = None) -> SesSuppressionList:
    """The account's list in ``region`` (``endpoint_url``: a compatible endpoint instead)."""
    import boto3

    client = boto3.client("sesv2", region_name=region, endpoint_url=endpoint_url)
    return SesSuppressionList(client, name="ses")
