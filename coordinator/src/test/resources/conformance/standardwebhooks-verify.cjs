// Verifies recorded deliveries with the official Standard Webhooks library, exactly as a receiver would.
// Input: a JSON file of [{secret, form: "whsec" | "raw", id, timestamp, signature, body}].
// Output: a JSON array with one {ok, error} per delivery, in order.
const fs = require("fs");
const { Webhook } = require("standardwebhooks");

const deliveries = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const verdicts = deliveries.map((d) => {
  try {
    const webhook = d.form === "raw" ? new Webhook(d.secret, { format: "raw" }) : new Webhook(d.secret);
    webhook.verify(d.body, {
      "webhook-id": d.id,
      "webhook-timestamp": String(d.timestamp),
      "webhook-signature": d.signature,
    });
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String((e && e.message) || e) };
  }
});
process.stdout.write(JSON.stringify(verdicts));
