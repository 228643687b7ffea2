<#-- The signed-in user's apps (spi-app-access, /realms/{realm}/apps): each app they may open, with its home URL.
     Every value is escaped (FreeMarker's HTML output format, as in all of Keycloak's login templates). -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
<!-- template: mcias-apps.ftl -->
    <#if section = "header">
        ${msg("mciasAppsTitle")}
    <#elseif section = "form">
        <div id="mcias-apps">
            <p class="instruction" id="mcias-apps-user">${msg("mciasAppsSignedInAs", mciasUser!"")}</p>
            <#if mciasApps?has_content>
                <ul class="mcias-apps__list" id="mcias-apps-list">
                    <#list mciasApps as app>
                        <li class="mcias-apps__item" data-client-id="${app.clientId}">
                            <a class="mcias-apps__link" href="${app.url}">${app.name}</a>
                            <#if app.description?has_content>
                                <span class="mcias-apps__description">${app.description}</span>
                            </#if>
                        </li>
                    </#list>
                </ul>
            <#else>
                <p class="instruction" id="mcias-apps-none">${msg("mciasAppsNone")}</p>
            </#if>
            <p class="mcias-apps__more">
                <a id="mcias-apps-account" href="${mciasAccountUrl}">${msg("mciasAppsAccount")}</a>
                <a id="mcias-apps-sign-out" href="${mciasSignOutUrl}">${msg("mciasAppsSignOut")}</a>
            </p>
        </div>
    </#if>
</@layout.registrationLayout>
