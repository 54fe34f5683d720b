"""Bitstring status lists (W3C Bitstring Status List v1.0): where each certificate's revocation and suspension
bits live, and the signed list credentials served at /status/{n}/{purpose} (docs/decisions/0014-status-lists.md)."""
