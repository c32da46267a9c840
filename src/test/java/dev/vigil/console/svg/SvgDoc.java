package dev.vigil.console.svg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** An SVG string parsed by the JDK's XML parser (which fails on anything not well-formed). */
final class SvgDoc {
  final String text;
  final Document doc;

  SvgDoc(String text) {
    this.text = text;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      doc =
          f.newDocumentBuilder()
              .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + text, e);
    }
    Element root = doc.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("svg");
    assertThat(root.getAttribute("xmlns")).isEqualTo("http://www.w3.org/2000/svg");
    assertThat(root.getAttribute("role")).isEqualTo("img");
    assertThat(root.getAttribute("aria-label")).isNotBlank();
    assertThat(((Element) root.getElementsByTagName("title").item(0)).getTextContent())
        .isEqualTo(root.getAttribute("aria-label"));
  }

  Element root() {
    return doc.getDocumentElement();
  }

  /** Elements matching an XPath expression (no namespaces: the parser is not namespace-aware). */
  List<Element> all(String xpath) {
    try {
      NodeList nl =
          (NodeList)
              XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.NODESET);
      List<Element> out = new ArrayList<>();
      for (int i = 0; i < nl.getLength(); i++) {
        out.add((Element) nl.item(i));
      }
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  Element one(String xpath) {
    List<Element> found = all(xpath);
    assertThat(found).as(xpath).hasSize(1);
    return found.get(0);
  }

  /** The text of the element's first {@code <title>} child. */
  static String title(Element e) {
    NodeList nl = e.getChildNodes();
    for (int i = 0; i < nl.getLength(); i++) {
      if (nl.item(i) instanceof Element c && c.getTagName().equals("title")) {
        return c.getTextContent();
      }
    }
    return null;
  }

  static double num(Element e, String attr) {
    return Double.parseDouble(e.getAttribute(attr));
  }
}
