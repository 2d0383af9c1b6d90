# Greylisting at RCPT (session.rcpt.script = "greylisting").
# The first attempt of each (client address, sender, recipient) triplet is refused with a temporary
# error; a real MTA retries, and the retry within the day is accepted. Clients listed in the memory
# directory's "local/greylist-exempt" lookup (addresses or CIDRs) are never greylisted.
require ["duplicate", "variables", "reject", "extlists"];

if string :list "${env.remote_ip}" "local/greylist-exempt" {
    stop;
}
if not duplicate :handle "greylist" :uniqueid "${env.remote_ip} ${envelope.from} ${envelope.to}" :seconds 86400 {
    reject "451 4.7.1 Greylisted: please try again later";
}
