package io.tracklane.stats;

import io.tracklane.stats.RollupBatch.Dims;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The 13 columns that name a rollup cell (program, bucket, campaign, affiliate, link, source,
 * sub1..sub5, device, currency), one array each, for an {@code unnest} insert of many rows.
 */
final class CellArrays {
  private final Long[] programs;
  private final OffsetDateTime[] buckets;
  private final Long[] campaigns;
  private final Long[] affiliates;
  private final Long[] links;
  private final String[][] texts;

  CellArrays(int rows) {
    programs = new Long[rows];
    buckets = new OffsetDateTime[rows];
    campaigns = new Long[rows];
    affiliates = new Long[rows];
    links = new Long[rows];
    texts = new String[8][rows];
  }

  void set(int row, long programId, Instant bucket, long campaignId, long affiliateId, long linkId, Dims d,
      String currency) {
    programs[row] = programId;
    buckets[row] = bucket.atOffset(ZoneOffset.UTC);
    campaigns[row] = campaignId;
    affiliates[row] = affiliateId;
    links[row] = linkId;
    String[] t = {d.source(), d.sub1(), d.sub2(), d.sub3(), d.sub4(), d.sub5(), d.device(), currency};
    for (int j = 0; j < t.length; j++) {
      texts[j][row] = t[j];
    }
  }

  /** Adds the 13 arrays to {@code args}, in the order of the columns above. */
  Tuple addTo(Tuple args) {
    args.addValue(programs).addValue(buckets).addValue(campaigns).addValue(affiliates).addValue(links);
    for (String[] t : texts) {
      args.addValue(t);
    }
    return args;
  }
}
