"""Policy documents in outputs, as the contract carries them.

On the wire IAM sends a document as URL-encoded JSON text; boto3 (botocore's `json_decode_policies`
handler) decodes it into a dict, and the contract returns what boto3 returns (ARCHITECTURE.md §1).
Documents are stored as the JSON text they were given, so a version reads back exactly as written.
"""

import json


def output_document(text: str) -> dict:
    """A stored document as GetPolicyVersion / GetUserPolicy / authorization details return it."""
    return json.loads(text)
