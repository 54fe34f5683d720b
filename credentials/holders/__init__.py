"""A certificate holder's private link (`/my/{token}`), share links (`/s/{token}`) and lookup hiding. The link for
a certificate, as the transcript prints it: `credentials.holders.services.holder_link_for_certificate`."""
