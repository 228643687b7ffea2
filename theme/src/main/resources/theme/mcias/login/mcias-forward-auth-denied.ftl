<#-- A forward-auth app (spi-forward-auth) refused a signed-in user who is not one of its members: the same words as
     mcias-app-access-denied.ftl, and the user's apps page one click away. -->
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
            <#if mciasAppsUrl??>
                <p class="instruction"><a id="mcias-forward-auth-apps" href="${mciasAppsUrl}">${msg("mciasForwardAuthYourApps")}</a></p>
            </#if>
        </div>
    </#if>
</@layout.registrationLayout>
