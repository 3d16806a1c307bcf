"""Build DMARC aggregate reports for tests: one day, one domain, passing and failing counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def report_xml(
    domain: str, day: date, passed: int, failed: int, *, org: str = "google.com"
) -> bytes:
    """An RFC 7489 report on ``day`` with ``passed`` aligned and ``failed`` unaligned messages."""
    begin = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    end = begin + int(timedelta(days=1).total_seconds()) - 1
    return f"""<?xml version="1.0"?>
<feedback>
  <report_metadata><org_name>{org}</org_name><report_id>{domain}-{day.isoformat()}</report_id>
    <date_range><begin>{begin}</begin><end>{end}</end></date_range></report_metadata>
  <policy_published><domain>{domain}</domain><p>none</p></policy_published>
  <record><row><source_ip>192.0.2.10</source_ip><count>{passed}</count>
    <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>
    </policy_evaluated></row><identifiers><header_from>{domain}</header_from></identifiers>
  </record>
  <record><row><source_ip>198.51.100.7</source_ip><count>{failed}</count>
    <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf>
    </policy_evaluated></row><identifiers><header_from>{domain}</header_from></identifiers>
  </record>
</feedback>
""".encode()
