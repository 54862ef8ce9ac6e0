package io.tracklane.store;

import io.tracklane.config.AppConfig.PostgresConfig;
import org.flywaydb.core.Flyway;

/** Flyway migrations; run once, over JDBC, before any verticle starts. */
public final class Migrations {
  private Migrations() {
  }

  public static int migrate(PostgresConfig pg) {
    Flyway flyway = Flyway.configure()
        .dataSource(pg.jdbcUrl(), pg.user(), pg.password())
        .schemas(pg.schema())
        .createSchemas(true)
        .locations("classpath:db/migration")
        .load();
    return flyway.migrate().migrationsExecuted;
  }
}
