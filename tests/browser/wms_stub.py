"""A tiny WMS on a free loopback port for the tests: solid tiles, a GetFeatureInfo answer.

``GetCapabilities`` lists the layers, ``GetMap`` answers with a PNG of one colour per
``LAYERS`` (the size asked for), ``GetFeatureInfo`` with a short HTML page that names
the queried layer and the clicked pixel (I/J), or, for ``INFO_FORMAT=text/plain``, with
text that contains markup (which must be shown as text). Every request is recorded with its
parameters (keys upper-cased, as WMS treats them), so a test can see what the map asked.
"""

from __future__ import annotations

import html
import struct
import threading
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Return a PNG of one colour (8-bit RGB, no dependencies).

    >>> solid_png(2, 2, (255, 0, 255))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@dataclass
class WmsStub:
    """The running stub: its base URL, its layer colours and what it was asked."""

    url: str
    colours: Mapping[str, tuple[int, int, int]]
    requests: list[dict[str, str]] = field(default_factory=list)

    def asked(self, request: str, **params: str) -> list[dict[str, str]]:
        """Return the recorded requests of a kind whose parameters include ``params``."""
        return [
            r
            for r in list(self.requests)
            if r.get("REQUEST", "").lower() == request.lower()
            and all(r.get(k.upper()) == v for k, v in params.items())
        ]


def _capabilities(names: list[str]) -> bytes:
    layers = "".join(
        f"<Layer queryable='1'><Name>{html.escape(n)}</Name><Title>{html.escape(n)}</Title>"
        "<CRS>EPSG:3857</CRS></Layer>"
        for n in names
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<WMS_Capabilities version='1.3.0' xmlns='http://www.opengis.net/wms'>"
        "<Service><Name>WMS</Name><Title>Test-WMS</Title></Service><Capability>"
        "<Request><GetMap><Format>image/png</Format></GetMap>"
        "<GetFeatureInfo><Format>text/html</Format></GetFeatureInfo></Request>"
        f"<Layer><Title>Test</Title>{layers}</Layer></Capability></WMS_Capabilities>"
    ).encode()


@contextmanager
def running_wms(colours: Mapping[str, tuple[int, int, int]]) -> Iterator[WmsStub]:
    """Serve the stub on 127.0.0.1 (a free port) while the block runs."""
    stub = WmsStub(url="", colours=dict(colours))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            params = {k.upper(): v for k, v in parse_qsl(urlsplit(self.path).query)}
            stub.requests.append(params)
            request = params.get("REQUEST", "").lower()
            layers = params.get("LAYERS", "")
            if request == "getcapabilities":
                self._send(200, "text/xml", _capabilities(list(stub.colours)))
            elif request == "getmap" and layers in stub.colours:
                width = int(params.get("WIDTH", "256"))
                height = int(params.get("HEIGHT", "256"))
                self._send(200, "image/png", solid_png(width, height, stub.colours[layers]))
            elif (
                request == "getfeatureinfo"
                and params.get("QUERY_LAYERS") in stub.colours
                and params.get("INFO_FORMAT") == "text/plain"
            ):
                text = f"Ebene {params['QUERY_LAYERS']}: <b>kein HTML</b>"  # shown as it is
                self._send(200, "text/plain; charset=utf-8", text.encode())
            elif request == "getfeatureinfo" and params.get("QUERY_LAYERS") in stub.colours:
                layer = html.escape(params["QUERY_LAYERS"])
                i, j = html.escape(params.get("I", "")), html.escape(params.get("J", ""))
                body = (
                    "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    f"<p id='antwort'>Ebene {layer} an I={i}, J={j}</p></body></html>"
                )
                self._send(200, "text/html; charset=utf-8", body.encode())
            else:
                text = "<ServiceExceptionReport><ServiceException>unbekannt</ServiceException>"
                self._send(400, "text/xml", (text + "</ServiceExceptionReport>").encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/wms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
