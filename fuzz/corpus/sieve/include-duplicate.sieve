require ["include", "duplicate", "vacation", "date", "spamtest"];
include :personal "other";
include :global "self";
if duplicate :seconds 60 :header "message-id" { discard; }
if currentdate :value "ge" "hour" "09" { vacation :days 1 :subject "away" "I am away"; }
return;
