"""The B2MML XML codec: ``read_xml``, ``write_xml``, ``iter_xml`` (the only lxml user
among the codecs)."""

from ._api import XmlReader, XmlWriter, iter_xml, read_xml, write_xml

__all__ = ["XmlReader", "XmlWriter", "iter_xml", "read_xml", "write_xml"]
