import io.vertx.core.Vertx;

/** A partner's receiver for the webhooks benchmark: answers every request 200 with an empty body. */
public class WebhookReceiver {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer().requestHandler(req -> req.response().end()).listen(port, "127.0.0.1")
        .onSuccess(s -> System.out.println("receiver on " + s.actualPort()))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }
}
