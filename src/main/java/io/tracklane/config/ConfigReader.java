package io.tracklane.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reads typed values out of flat keys, collecting every problem instead of stopping at the first. */
final class ConfigReader {
  private final Map<String, String> values;
  private final List<String> problems = new ArrayList<>();

  ConfigReader(Map<String, String> values) {
    this.values = values;
  }

  String string(String key) {
    String value = values.get(key);
    if (value == null) {
      problems.add(key + " is missing (" + ConfigSource.envName(key) + ")");
      return "";
    }
    return value.trim();
  }

  String nonEmpty(String key) {
    String value = string(key);
    if (value.isEmpty() && values.containsKey(key)) {
      problems.add(key + " must not be empty (" + ConfigSource.envName(key) + ")");
    }
    return value;
  }

  int integer(String key, int min, int max) {
    return (int) longValue(key, min, max); // a value out of [min, max] is already a listed problem
  }

  long longValue(String key, long min, long max) {
    String raw = string(key);
    try {
      long value = Long.parseLong(raw);
      if (value < min || value > max) {
        problems.add(key + " must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      if (values.containsKey(key)) {
        problems.add(key + " must be a whole number, got '" + raw + "'");
      }
      return min;
    }
  }

  boolean bool(String key) {
    String raw = string(key);
    if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(raw);
    }
    if (values.containsKey(key)) {
      problems.add(key + " must be true or false, got '" + raw + "'");
    }
    return false;
  }

  List<String> list(String key) {
    String raw = string(key);
    if (raw.isEmpty()) {
      return List.of();
    }
    return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  void problem(String message) {
    problems.add(message);
  }

  void check() {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }
}
