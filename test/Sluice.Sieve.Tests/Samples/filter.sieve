# A filter an administrator would deploy: tags list mail, files spam, drops a header.
require ["fileinto", "editheader", "regex", "variables", "include", "body", "date", "index"];

include :personal "common";

if header :regex "list-id" "<([a-z0-9-]+)\\." {
    set :lower "list" "${1}";
    addheader :last "X-Sluice-List" "${list}";
    fileinto "Lists.${list}";
    stop;
}

if anyof (header :contains "x-spam-flag" "YES", body :text :contains "make money fast") {
    deleteheader "x-spam-flag";
    addheader "X-Sluice-Verdict" "spam";
    fileinto "Junk";
}
