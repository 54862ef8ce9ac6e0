package io.tracklane.testing;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A real pool that records the SQL of every statement sent through it, including those sent on
 * the connections it lends (transactions): how a test counts the queries one request costs.
 */
public final class CountingPool {
  private static final Set<String> STATEMENTS = Set.of("query", "preparedQuery", "prepare");

  private final List<String> statements = new CopyOnWriteArrayList<>();
  private final Pool pool;

  public CountingPool(Pool real) {
    this.pool = proxy(Pool.class, real);
  }

  /** The pool to hand to the code under test. */
  public Pool pool() {
    return pool;
  }

  /** The SQL of every statement since the last {@link #reset()}, in order. */
  public List<String> statements() {
    return List.copyOf(statements);
  }

  public void reset() {
    statements.clear();
  }

  @SuppressWarnings("unchecked")
  private <T> T proxy(Class<T> type, T real) {
    InvocationHandler handler = (self, method, args) -> {
      String name = method.getName();
      if (STATEMENTS.contains(name) && args != null && args.length > 0 && args[0] instanceof String sql) {
        statements.add(sql);
      }
      Object[] passed = args == null ? null : args.clone();
      if (passed != null) {
        for (int i = 0; i < passed.length; i++) {
          if (passed[i] instanceof Function<?, ?> work && name.startsWith("with")) {
            Function<SqlConnection, ?> original = (Function<SqlConnection, ?>) work;
            passed[i] = (Function<SqlConnection, Object>) conn -> original.apply(proxy(SqlConnection.class, conn));
          }
        }
      }
      try {
        Object result = method.invoke(real, passed);
        if ("getConnection".equals(name)) {
          return ((Future<SqlConnection>) result).map(conn -> proxy(SqlConnection.class, conn));
        }
        return result;
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
