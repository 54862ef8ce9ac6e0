package io.tracklane.edge;

import io.tracklane.domain.LinkCodes;
import io.tracklane.http.HttpError;
import io.tracklane.store.LinkRepository.LinkTarget;
import io.tracklane.store.LinkRepository;
import io.tracklane.store.ProgramRepository.ProgramInfo;
import io.tracklane.store.ProgramRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/** The in-process caches the edge answers from; shared by every edge instance of a process. */
public record EdgeLookups(AsyncLookup<String, LinkTarget> linksByCode, AsyncLookup<Long, LinkTarget> linksById,
    AsyncLookup<String, ProgramInfo> programsByTokenHash, AsyncLookup<Long, ProgramInfo> programsById)
    implements ChangeBridge.Listener {

  public static EdgeLookups create(Vertx vertx, LinkRepository links, ProgramRepository programs) {
    Duration refresh = Duration.ofSeconds(30);
    return new EdgeLookups(
        new AsyncLookup<>(vertx, 200_000, refresh, links::targetByCode),
        new AsyncLookup<>(vertx, 200_000, refresh, links::targetById),
        new AsyncLookup<>(vertx, 10_000, refresh, programs::findByTokenHash),
        new AsyncLookup<>(vertx, 10_000, refresh, programs::findById));
  }

  @Override
  public void changed(String change) {
    if (ChangeBridge.CONFIGURATION_CHANGED.equals(change)) {
      invalidateAll();
    }
  }

  @Override
  public void missed() {
    invalidateAll();
  }

  /** The link a code names, or null; a code no link can have is a 400, never a lookup. */
  public Future<LinkTarget> linkByCode(String code) {
    return LinkCodes.isValid(code) ? linksByCode.get(code)
        : Future.failedFuture(HttpError.badRequest("the link code is malformed"));
  }

  /** Drops everything, so the next request reloads: called when links, campaigns or affiliates change. */
  public void invalidateAll() {
    linksByCode.invalidateAll();
    linksById.invalidateAll();
    programsByTokenHash.invalidateAll();
    programsById.invalidateAll();
  }
}
