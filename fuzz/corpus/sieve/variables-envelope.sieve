require ["variables", "envelope", "subaddress", "regex", "reject"];
if envelope :detail "to" "*" { set "box" "${1}"; }
if header :regex "subject" "^\\[([a-z]+)\\] (.*)$" {
    set :lower :upperfirst "tag" "${1}";
}
set "msg" text:
Line one ${box}
..dotted
.
;
if string :is "${env.remote-ip}" "" { reject "no ip"; }
