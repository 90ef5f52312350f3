package dev.kelpie.agent.supervise.manager;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XmlRpcTest {

  @Test
  @DisplayName("a call escapes its strings and types its parameters as supervisord expects")
  void call() {
    assertThat(XmlRpc.call("supervisor.tailProcessStdoutLog", "a<b>&c", 0, true)).isEqualTo(
      "<?xml version=\"1.0\"?><methodCall><methodName>supervisor.tailProcessStdoutLog</methodName><params>"
        + "<param><value><string>a&lt;b&gt;&amp;c</string></value></param>"
        + "<param><value><int>0</int></value></param>"
        + "<param><value><boolean>1</boolean></value></param></params></methodCall>");
  }

  @Test
  @DisplayName("an answer's structs, arrays, numbers, booleans and untyped strings are read")
  void answer() {
    Object answer = XmlRpc.answer("""
      <?xml version='1.0'?>
      <methodResponse><params><param><value><struct>
        <member><name>statename</name><value><string>RUNNING</string></value></member>
        <member><name>pid</name><value><int>4242</int></value></member>
        <member><name>name</name><value>demo</value></member>
        <member><name>tail</name><value><array><data><value>out</value><value><i4>7</i4></value>
          <value><boolean>0</boolean></value></data></array></value></member>
      </struct></value></param></params></methodResponse>
      """);
    assertThat(answer).isEqualTo(Map.of("statename", "RUNNING", "pid", 4242, "name", "demo",
      "tail", List.of("out", 7, false)));
  }

  @Test
  @DisplayName("a fault carries supervisord's code and words; a DTD or something else than XML-RPC is refused")
  void faultsAndRefusals() {
    assertThatThrownBy(() -> XmlRpc.answer("""
      <?xml version='1.0'?><methodResponse><fault><value><struct>
      <member><name>faultCode</name><value><int>10</int></value></member>
      <member><name>faultString</name><value><string>BAD_NAME: nope</string></value></member>
      </struct></value></fault></methodResponse>"""))
      .isInstanceOfSatisfying(XmlRpc.Fault.class, fault -> {
        assertThat(fault.code).isEqualTo(10);
        assertThat(fault.getMessage()).isEqualTo("BAD_NAME: nope");
      });
    assertThatThrownBy(() -> XmlRpc.answer("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"))
      .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not XML: ");
    assertThatThrownBy(() -> XmlRpc.answer("<html/>")).isInstanceOf(IllegalArgumentException.class)
      .hasMessage("not an XML-RPC answer: html");
  }
}
