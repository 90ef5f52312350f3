package dev.kelpie.agent.supervise.manager;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little of XML-RPC that supervisord's API needs: a call with string, int and boolean parameters; an answer of
 * strings, numbers, booleans, arrays and structs, or a fault. Answers are parsed with the JDK's DOM parser, DTDs
 * refused.
 */
final class XmlRpc {

  /** An XML-RPC fault: supervisord's code (10 BAD_NAME, 60 ALREADY_STARTED, 70 NOT_RUNNING...) and its words. */
  static final class Fault extends RuntimeException {

    final int code;

    Fault(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private XmlRpc() {
  }

  static String call(String method, Object... params) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?><methodCall><methodName>").append(escape(method))
      .append("</methodName><params>");
    for (Object param : params) {
      xml.append("<param><value>");
      if (param instanceof Boolean bool) {
        xml.append("<boolean>").append(bool ? 1 : 0).append("</boolean>");
      } else if (param instanceof Integer number) {
        xml.append("<int>").append(number).append("</int>");
      } else {
        xml.append("<string>").append(escape(String.valueOf(param))).append("</string>");
      }
      xml.append("</value></param>");
    }
    return xml.append("</params></methodCall>").toString();
  }

  /** The answer's value; a {@link Fault} when the answer is one; IllegalArgumentException when it is not XML-RPC. */
  static Object answer(String xml) {
    Element root = parse(xml).getDocumentElement();
    Element fault = child(root, "fault");
    if (fault != null) {
      Object value = value(child(fault, "value"));
      if (value instanceof Map<?, ?> struct) {
        throw new Fault(struct.get("faultCode") instanceof Integer code ? code : -1,
          String.valueOf(struct.get("faultString")));
      }
      throw new Fault(-1, String.valueOf(value));
    }
    Element params = child(root, "params");
    Element param = params == null ? null : child(params, "param");
    if (param == null) {
      throw new IllegalArgumentException("not an XML-RPC answer: " + root.getTagName());
    }
    return value(child(param, "value"));
  }

  private static Document parse(String xml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setExpandEntityReferences(false);
      return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    } catch (Exception e) {
      throw new IllegalArgumentException("not XML: " + e.getMessage(), e);
    }
  }

  private static Object value(Element value) {
    if (value == null) {
      return null;
    }
    Element typed = firstElement(value);
    if (typed == null) {
      return value.getTextContent();
    }
    String text = typed.getTextContent();
    return switch (typed.getTagName()) {
      case "int", "i4", "i8" -> Integer.valueOf(text.trim());
      case "boolean" -> "1".equals(text.trim());
      case "double" -> Double.valueOf(text.trim());
      case "nil" -> null;
      case "array" -> array(typed);
      case "struct" -> struct(typed);
      default -> text;
    };
  }

  private static List<Object> array(Element array) {
    List<Object> items = new ArrayList<>();
    Element data = child(array, "data");
    for (Node node = data == null ? null : data.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals("value")) {
        items.add(value(element));
      }
    }
    return items;
  }

  private static Map<String, Object> struct(Element struct) {
    Map<String, Object> members = new LinkedHashMap<>();
    for (Node node = struct.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element member && member.getTagName().equals("member")) {
        Element name = child(member, "name");
        members.put(name == null ? "" : name.getTextContent(), value(child(member, "value")));
      }
    }
    return members;
  }

  private static Element child(Element parent, String tag) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(tag)) {
        return element;
      }
    }
    return null;
  }

  private static Element firstElement(Element parent) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element) {
        return element;
      }
    }
    return null;
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
