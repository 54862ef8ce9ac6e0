import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;

/**
 * The benchmark's ceiling: a bare Vert.x server answering the same 302 as a tracking link (same
 * headers, same size), with no routing, cache, click id or Kafka. Run from the repository root:
 * java -cp target/tracklane.jar load-tests/Baseline302.java PORT INSTANCES
 */
public final class Baseline302 extends VerticleBase {
  private static final String LOCATION = "https://example.com/landing?click_id=AWsB_ssAAAAAAeHf_dB7pr8LvQwaJw";
  private static final String COOKIE = "tl_click=AWsB_ssAAAAAAeHf_dB7pr8LvQwaJw; Max-Age=2592000; Path=/; HttpOnly; "
      + "Secure; SameSite=Lax";
  private final int port;

  Baseline302(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(req -> req.response().setStatusCode(302).putHeader("Location", LOCATION)
            .putHeader("Set-Cookie", COOKIE).putHeader("Cache-Control", "no-store").end())
        .listen();
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int instances = Integer.parseInt(args[1]);
    Vertx.vertx().deployVerticle(() -> new Baseline302(port), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("baseline listening on " + port))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }
}
