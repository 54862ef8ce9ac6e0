package io.tracklane.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The device class reports group clicks by, from the user agent. */
class DeviceClassTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36|desktop",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15|desktop",
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0|desktop",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1|mobile",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36|mobile",
      "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1|tablet",
      "Mozilla/5.0 (Linux; Android 13; SM-T220) AppleWebKit/537.36 Chrome/120.0 Safari/537.36|tablet",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)|bot",
      "curl/8.5.0|bot"})
  void classifiesTheAgent(String agent, String expected) {
    assertEquals(expected, UserAgents.deviceClass(agent));
  }

  @org.junit.jupiter.api.Test
  void aMissingAgentIsABot() {
    assertEquals("bot", UserAgents.deviceClass(null));
    assertEquals("bot", UserAgents.deviceClass(" "));
  }
}
