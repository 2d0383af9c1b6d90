require ["variables", "include"];
global "seen";
set "seen" "common";
