# Blocklist at MAIL (session.mail.script = "blocklist").
# Refuses clients whose address is in the memory directory's "local/blocked-ips" lookup, and senders
# whose address or domain is in "local/blocked-senders".
require ["envelope", "variables", "reject", "extlists"];

if string :list "${env.remote_ip}" "local/blocked-ips" {
    reject "550 5.7.1 ${env.remote_ip} is blocked here";
    stop;
}
if anyof (envelope :list "from" "local/blocked-senders",
          envelope :domain :list "from" "local/blocked-senders") {
    reject "550 5.7.1 Sender ${envelope.from} is blocked here";
}
