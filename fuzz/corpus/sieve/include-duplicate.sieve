require ["include", "duplicate", "date", "relational"];
include :personal "other";
include :global "self";
if duplicate :seconds 60 :header "message-id" { discard; }
if currentdate :value "ge" "hour" "09" { keep; }
return;
