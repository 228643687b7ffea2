// A bar above Keycloak's account console with a link to the user's apps page (spi-app-access, /realms/{realm}/apps).
// The console is Keycloak's React app and its menu only routes inside the console, so the link lives outside it,
// before #app; its address comes from the console's own environment (server URL and realm name).
const environment = JSON.parse(document.getElementById("environment").textContent);
const bar = document.createElement("nav");
bar.id = "mcias-apps-bar";
bar.setAttribute("aria-label", "MCIAS");
const link = document.createElement("a");
link.id = "mcias-apps-link";
link.href = new URL("realms/" + encodeURIComponent(environment.realm) + "/apps",
    environment.serverBaseUrl.replace(/\/?$/, "/")).href;
link.textContent = "Your apps";
bar.appendChild(link);
document.body.insertBefore(bar, document.getElementById("app"));
