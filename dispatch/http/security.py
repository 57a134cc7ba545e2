"""The security headers of every response, written in one place.

Hand-written rather than flask-talisman (unmaintained since 2023): a handful of fixed headers
and one policy. The pages run no inline script or style, so the Content-Security-Policy allows
scripts and styles from this site only; images may also come from the map's tile server
(MAP_TILE_URL) and from `blob:`/`data:` (the phone form previews photos before sending them).
No page may be framed (clickjacking), no response sniffed into another type, and the address of
a page (ticket numbers in it) is not sent to other sites."""

from urllib.parse import urlsplit

from flask import current_app


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a Leaflet tile URL template (`https://{s}.tile.example/{z}/{x}/{y}.png`
    → `https://*.tile.example`), or None for tiles of this site or no tiles. A placeholder
    left of the host becomes a wildcard; one elsewhere in the host allows the scheme."""
    parts = urlsplit(tile_url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    first, _, rest = host.partition(".")
    if "{" in first and rest and "{" not in rest:
        host = "*." + rest
    elif "{" in host:
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str) -> str:
    images = ["'self'", "data:", "blob:"]
    tiles = tile_source(tile_url)
    if tiles:
        images.append(tiles)
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'",
        "img-src " + " ".join(images), "connect-src 'self'", "font-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'"])


def install(app) -> None:
    policy = {}  # by tile URL: tests change MAP_TILE_URL per app

    @app.after_request
    def security_headers(response):
        tile_url = current_app.config.get("MAP_TILE_URL") or ""
        if tile_url not in policy:
            policy[tile_url] = content_security_policy(tile_url)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy[tile_url])
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        return response


def private_photo(response, max_age: int = 3600):
    """A ticket's photo may be kept by the browser that was allowed to see it, never by a
    shared cache, and never served to another cookie or token from a cache."""
    response.cache_control.public = False
    response.cache_control.no_cache = None  # send_file's default when given no max_age
    response.cache_control.private = True
    response.cache_control.max_age = max_age
    response.vary.add("Authorization")
    response.vary.add("Cookie")
    return response
