package io.tracklane.domain;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells crawlers, link-preview fetchers and scripted clients from browsers by their User-Agent.
 *
 * <p>A curated list rather than a full parser (Yauaa): the edge needs one yes/no per click in
 * microseconds, and Yauaa costs seconds of start-up and hundreds of MiB of heap for detail we do not
 * use. The tokens follow the published names of the fetchers (their documentation pages) and the
 * generic words crawlers put in their names.
 */
public final class UserAgents {
  private static final Pattern BOT = Pattern.compile(String.join("|",
      // Link-preview fetchers of messengers and social networks.
      "facebookexternalhit", "facebookcatalog", "meta-externalagent", "slackbot", "slack-imgproxy", "twitterbot",
      "whatsapp", "telegrambot", "discordbot", "linkedinbot", "pinterest", "skypeuripreview", "redditbot",
      "vkshare", "viber", "line-poker", "snapchat", "iframely", "embedly", "outbrain", "quora link preview",
      "bitlybot", "tumblr", "mastodon", "bluesky", "google-pagerenderer", "googleimageproxy",
      // Search engines and SEO crawlers.
      "googlebot", "adsbot-google", "mediapartners-google", "google-inspectiontool", "storebot-google",
      "bingbot", "bingpreview", "msnbot", "adidxbot", "yandex", "baiduspider", "duckduckbot", "applebot",
      "slurp", "sogou", "exabot", "seznambot", "petalbot", "ahrefsbot", "semrushbot", "mj12bot", "dotbot",
      "bytespider", "gptbot", "chatgpt-user", "claudebot", "perplexitybot", "ccbot", "amazonbot",
      // Generic words and scripted clients.
      "bot/", "bot;", "-bot", "_bot", " bot", "crawler", "spider", "scraper", "headlesschrome", "phantomjs",
      "curl/", "wget/", "python-requests", "python-urllib", "aiohttp", "go-http-client", "java/", "okhttp",
      "apache-httpclient", "libwww-perl", "httpie", "postmanruntime", "node-fetch", "axios/", "scrapy",
      "uptimerobot", "pingdom", "statuscake", "monitoring", "lighthouse", "preview"));

  private UserAgents() {
  }

  /** Whether the agent is a known non-human fetcher; a missing agent counts as one (browsers always send it). */
  public static boolean isBot(String userAgent) {
    if (userAgent == null || userAgent.isBlank()) {
      return true;
    }
    String lower = userAgent.toLowerCase(Locale.ROOT);
    return BOT.matcher(lower).find() || lower.endsWith("bot");
  }

  /** Tablets: iPads, Android without "Mobile" (Google's rule for Android tablets), and named tablets. */
  private static final Pattern TABLET = Pattern.compile(
      "ipad|tablet|kindle|silk/|playbook|nexus (7|9|10)|sm-t\\d|gt-p\\d|(android(?!.*mobile))");
  private static final Pattern MOBILE = Pattern.compile(
      "mobile|iphone|ipod|android|windows phone|blackberry|bb10|opera mini|iemobile|webos|kaios");

  /**
   * The device class a report groups clicks by: {@code bot} for what {@link #isBot} calls a bot (and
   * a missing agent), else {@code tablet}, {@code mobile} or {@code desktop} by the agent's tokens.
   */
  public static String deviceClass(String userAgent) {
    if (isBot(userAgent)) {
      return "bot";
    }
    String lower = userAgent.toLowerCase(Locale.ROOT);
    if (TABLET.matcher(lower).find()) {
      return "tablet";
    }
    return MOBILE.matcher(lower).find() ? "mobile" : "desktop";
  }

  /** The device classes, in the order reports list them. */
  public static final java.util.List<String> DEVICE_CLASSES = java.util.List.of("desktop", "mobile", "tablet", "bot");
}
