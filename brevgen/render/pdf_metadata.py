"""What every brevgen PDF says about itself, whichever engine laid it out.

Shared by the WeasyPrint renderer (``render/pdf.py``) and the Typst renderer
(``render/pdf_typst.py``): the variants a caller may ask for, and the XMP stamp that
``brevgen inspect`` reads back (namespace :data:`PROVENANCE_NS`).

:func:`stamp_xmp` adds to an engine's XMP packet only what the engine left out: the
document language, the provenance stamp, for PDF/A the PDF/UA-1 identification, and the
PDF/A extension-schema declarations for every non-predefined namespace the packet then
uses. An engine that already declares some schemas (Typst) gets the missing ones added
to its own list, because PDF/A allows only one ``pdfaExtension:schemas`` property.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from ..errors import UsageError
from ..letter import Letter

PDF_VARIANT = "pdf/ua-1"
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a")

PROVENANCE_NS = "urn:brevgen:provenance:1.0/"
PROVENANCE_PREFIX = "brevgen"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
_PDFA_EXT = "http://www.aiim.org/pdfa/ns/extension/"
_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
# PDF/A and PDF/UA validators check the prefixes of the predefined schemas too, so a
# re-serialised packet must keep them (ElementTree would otherwise write ns0, ns1, ...).
for _prefix, _uri in (
    ("rdf", _RDF), ("dc", _DC), ("pdfuaid", _PDFUAID), ("pdfaExtension", _PDFA_EXT),
    ("pdfaSchema", _PDFA_SCHEMA), ("pdfaProperty", _PDFA_PROPERTY), (PROVENANCE_PREFIX, PROVENANCE_NS),
    ("pdfaid", "http://www.aiim.org/pdfa/ns/id/"), ("pdf", "http://ns.adobe.com/pdf/1.3/"),
    ("xmp", "http://ns.adobe.com/xap/1.0/"), ("xmpMM", "http://ns.adobe.com/xap/1.0/mm/"),
    ("xmpTPg", "http://ns.adobe.com/xap/1.0/t/pg/"), ("stEvt", "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"),
):
    ET.register_namespace(_prefix, _uri)


def check_variant(variant: str) -> str:
    """The variant in canonical spelling, or a Danish usage error naming the choices."""
    canonical = (variant or "").strip().lower()
    if canonical not in PDF_VARIANTS:
        raise UsageError(f"ukendt PDF-variant: {variant or '(ingen)'}. Vælg blandt: {', '.join(PDF_VARIANTS)}")
    return canonical


def xmp_provenance(letter: Letter) -> dict[str, str]:
    """``brevgen-template-version`` -> ``template-version`` in the brevgen XMP namespace."""
    return {key.removeprefix("brevgen-"): value for key, value in letter.meta.provenance().items()}


def stamp_xmp(packet: bytes, letter: Letter, variant: str) -> bytes:
    """The XMP packet with language, provenance and (PDF/A) PDF/UA-1 identification added."""
    start, end = packet.index(b"<rdf:RDF"), packet.index(b"</rdf:RDF>") + len(b"</rdf:RDF>")
    rdf = ET.fromstring(packet[start:end])

    def description() -> ET.Element:
        element = ET.SubElement(rdf, f"{{{_RDF}}}Description")
        element.set(f"{{{_RDF}}}about", "")
        return element

    if rdf.find(f".//{{{_DC}}}language") is None:
        language = ET.SubElement(ET.SubElement(description(), f"{{{_DC}}}language"), f"{{{_RDF}}}Bag")
        ET.SubElement(language, f"{{{_RDF}}}li").text = letter.meta.lang
    stamp = description()
    provenance = xmp_provenance(letter)
    for name, value in provenance.items():
        ET.SubElement(stamp, f"{{{PROVENANCE_NS}}}{name}").text = value
    if variant.startswith("pdf/a"):
        if not _has_property(rdf, _PDFUAID, "part"):
            description().set(f"{{{_PDFUAID}}}part", "1")
        _declare_extension_schemas(rdf, description, list(provenance))
    rebuilt = packet[:start] + ET.tostring(rdf, encoding="utf-8", xml_declaration=False) + packet[end:]
    return rebuilt


def _has_property(rdf: ET.Element, namespace: str, name: str) -> bool:
    """An XMP simple property, written as an attribute or as an element."""
    key = f"{{{namespace}}}{name}"
    return any(key in d.attrib or d.find(key) is not None for d in rdf.iter(f"{{{_RDF}}}Description"))


def _declare_extension_schemas(rdf: ET.Element, description, provenance_names: list[str]) -> None:
    """PDF/A accepts XMP properties outside its predefined schemas only when declared here."""
    schemas = [
        ("PDF/UA identification", _PDFUAID, "pdfuaid", [("part", "Integer", "Part of ISO 14289 the file conforms to")]),
        (
            "brevgen provenance",
            PROVENANCE_NS,
            PROVENANCE_PREFIX,
            [(name, "Text", f"brevgen {name}") for name in provenance_names],
        ),
    ]
    bag = rdf.find(f".//{{{_PDFA_EXT}}}schemas/{{{_RDF}}}Bag")
    if bag is None:
        bag = ET.SubElement(ET.SubElement(description(), f"{{{_PDFA_EXT}}}schemas"), f"{{{_RDF}}}Bag")
    declared = {el.text for el in bag.iter(f"{{{_PDFA_SCHEMA}}}namespaceURI")}
    for title, uri, prefix, properties in schemas:
        if uri in declared:
            continue
        schema = ET.SubElement(bag, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
        ET.SubElement(schema, f"{{{_PDFA_SCHEMA}}}schema").text = title
        ET.SubElement(schema, f"{{{_PDFA_SCHEMA}}}namespaceURI").text = uri
        ET.SubElement(schema, f"{{{_PDFA_SCHEMA}}}prefix").text = prefix
        seq = ET.SubElement(ET.SubElement(schema, f"{{{_PDFA_SCHEMA}}}property"), f"{{{_RDF}}}Seq")
        for name, value_type, text in properties:
            prop = ET.SubElement(seq, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
            ET.SubElement(prop, f"{{{_PDFA_PROPERTY}}}name").text = name
            ET.SubElement(prop, f"{{{_PDFA_PROPERTY}}}valueType").text = value_type
            ET.SubElement(prop, f"{{{_PDFA_PROPERTY}}}category").text = "external"
            ET.SubElement(prop, f"{{{_PDFA_PROPERTY}}}description").text = text
