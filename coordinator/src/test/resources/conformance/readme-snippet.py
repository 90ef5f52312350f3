# Runs README.md's "verify by hand" snippet (argv[1]) on recorded deliveries (argv[2], the same JSON as the Node
# verifier's input), with the names the snippet expects; prints a JSON array with one {ok} per delivery.
import json
import sys

snippet = open(sys.argv[1], encoding="utf-8").read()
verdicts = []
for d in json.load(open(sys.argv[2], encoding="utf-8")):
    names = {
        "headers": {"webhook-id": d["id"], "webhook-timestamp": str(d["timestamp"]),
                    "webhook-signature": d["signature"]},
        "raw_body": d["body"].encode("utf-8"),
        "secret": d["secret"],
        "already_processed": set(),
    }
    try:
        exec(snippet, names)
        verdicts.append({"ok": bool(names["ok"]) and bool(names["fresh"]) and not names["seen_before"]})
    except Exception as e:  # a snippet that crashes is a snippet that fails
        verdicts.append({"ok": False, "error": repr(e)})
print(json.dumps(verdicts))
