<#-- Members-only app refused this user (spi-app-access). Names the app and whom to ask, links to the apps page and
     lists the apps this account may open instead; no form, no way on into the refused app. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
    <#if section = "header">
        ${msg("mciasAppAccessTitle")}
    <#elseif section = "form">
        <div id="mcias-app-access-denied">
            <p class="instruction" id="mcias-app-access-app">${msg("mciasAppAccessDenied", mciasApp!"")}</p>
            <#if mciasAppContact?? && mciasAppContact?has_content>
                <p class="instruction" id="mcias-app-access-ask">${msg("mciasAppAccessAskContact", mciasAppContact)}</p>
            <#else>
                <p class="instruction" id="mcias-app-access-ask">${msg("mciasAppAccessAskAdmin")}</p>
            </#if>
            <p class="instruction" id="mcias-app-access-other">
                <#if mciasAppsUrl?has_content>
                    <a id="mcias-apps-link" href="${mciasAppsUrl}">${msg("mciasAppAccessOtherApps")}</a>
                <#else>
                    ${msg("mciasAppAccessOtherApps")}
                </#if>
            </p>
            <#if mciasApps?has_content>
                <ul class="mcias-apps__list" id="mcias-app-access-apps">
                    <#list mciasApps as app>
                        <li class="mcias-apps__item" data-client-id="${app.clientId}">
                            <a class="mcias-apps__link" href="${app.url}">${app.name}</a>
                        </li>
                    </#list>
                </ul>
            </#if>
        </div>
    </#if>
</@layout.registrationLayout>
