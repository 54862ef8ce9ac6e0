package io.tracklane.store;

import io.tracklane.config.AppConfig.PostgresConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Map;

/** Builds the PostgreSQL pool every role shares. */
public final class Db {
  private Db() {
  }

  public static Pool pool(Vertx vertx, PostgresConfig pg) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(pg.host())
        .setPort(pg.port())
        .setDatabase(pg.database())
        .setUser(pg.user())
        .setPassword(pg.password())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(64)
        .setProperties(Map.of("search_path", pg.schema(), "application_name", "tracklane"));
    PoolOptions pool = new PoolOptions().setMaxSize(pg.poolSize()).setShared(true).setName("tracklane-pg");
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
