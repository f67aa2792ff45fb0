"""Interoperability: public layers, services, QGIS styles, map print, interchange."""
