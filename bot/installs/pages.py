"""What the web server needs of OAuth installation whether or not it is configured: the
install pages' paths and the security headers on every answer. Kept apart from
bot/installs/oauth.py so that a single-workspace install never imports Bolt's OAuth flow."""

from __future__ import annotations

import base64
import hashlib

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;"
    "padding:0 1em;line-height:1.5}a.add{display:inline-block;padding:.6em 1.2em;"
    "border-radius:6px;background:#4a154b;color:#fff;text-decoration:none;font-weight:600}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

# On every answer of the app's web server (bot.web): its pages load nothing but their own
# style (by hash: no injected style or script runs), post no form, may not be framed (no
# clickjacking of "Add to Slack"), send no Referer (the redirect's URL carries the one-time
# code), and are never sniffed as anything but what they say they are.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
