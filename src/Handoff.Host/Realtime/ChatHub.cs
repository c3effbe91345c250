using Handoff.Contracts.Conversations;
using Handoff.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Handoff.Host.Realtime;

/// <summary>
/// <c>/hubs/chat</c>: one connection speaks for the one conversation its token names. Every call goes to the
/// conversation grain; pushes come back through <see cref="ChatPushRelay"/>.
/// </summary>
[Authorize(Policy = AuthenticationSetup.ChatPolicy)]
public sealed class ChatHub(IGrainFactory grains, ChatPushSubscriptions subscriptions) : Hub
{
    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, ChatPushRelay.Group(ConversationId));
        await subscriptions.ConnectedAsync(ConversationId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception) => await subscriptions.DisconnectedAsync(ConversationId);

    public async Task<object> Join()
    {
        var view = await Call(g => g.GetAsync(ConversationLimits.JoinWindow));
        return new { view.ConversationId, view.State, view.Email, view.LastSeq, view.Messages };
    }

    public async Task<object> Send(string text, string? clientMessageId)
    {
        var result = await Call(g => g.SendUserMessageAsync(text ?? "", clientMessageId));
        return new { seq = result.Seq };
    }

    public Task SetEmail(string email) => Call(g => g.SetEmailAsync(email ?? ""));

    public Task RequestHuman() => Call(g => g.RequestHandoffAsync("the user asked for a human"));

    public Task KeepWaiting() => Call(g => g.KeepWaitingAsync());

    public Task EndHuman() => Call(g => g.EndHandoffByUserAsync());

    public Task<IReadOnlyList<ChatMessage>> Resume(long afterSeq) => Call(g => g.ResumeAsync(afterSeq));

    private string ConversationId => Context.User!.FindFirst(AuthenticationSetup.ConversationClaim)!.Value;

    private async Task<T> Call<T>(Func<IConversationGrain, Task<T>> call)
    {
        try
        {
            return await call(grains.GetGrain<IConversationGrain>(ConversationId));
        }
        catch (ConversationRefusedException ex)
        {
            throw new HubException($"{ex.Code}: {ex.Message}");
        }
    }

    private async Task Call(Func<IConversationGrain, Task> call) => await Call(async g =>
    {
        await call(g);
        return true;
    });
}
