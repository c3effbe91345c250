using Orleans.Hosting;
using Orleans.Runtime;

namespace Handoff.Grains.Conversations;

/// <summary>
/// Makes a persisted deadline fire: a one-shot grain timer for precision, and the reminder <see cref="ReminderName"/>
/// as the backstop that wakes the conversation on another node when this one dies. The deadline itself lives in the
/// conversation's state; whatever fires calls the same idempotent handler, which may therefore run twice.
/// </summary>
public sealed class DurableDeadline(Grain grain, Func<Task> onDue, ReminderOptions reminders, TimeProvider time)
{
    public const string ReminderName = "handoff-backstop";
    private IGrainTimer? timer;
    private bool registered;
    private DateTimeOffset? firstTick;

    public async Task LoadAsync() => registered = await grain.GetReminder(ReminderName) is not null;

    /// <summary>Arms the timer for the stored deadline (or disarms it when there is none).</summary>
    public void Follow(DateTimeOffset? deadline)
    {
        timer?.Dispose();
        timer = null;
        if (deadline is not { } at)
        {
            return;
        }

        var due = at - time.GetUtcNow();
        timer = grain.RegisterGrainTimer(async () =>
        {
            timer?.Dispose();
            timer = null;
            await onDue();
        }, new GrainTimerCreationOptions { DueTime = due < TimeSpan.Zero ? TimeSpan.Zero : due, Period = Timeout.InfiniteTimeSpan });
    }

    public bool Armed => timer is not null;

    /// <summary>The reminder exists exactly while something must happen even if this activation dies.</summary>
    public async Task KeepBackstopAsync(bool needed, DateTimeOffset? deadline)
    {
        var now = time.GetUtcNow();
        // Re-register only when the reminder's first tick would come after a nearer deadline (wait → session).
        var tooLate = registered && deadline is { } d && firstTick is { } first && first > now && d < first;
        if (needed && (!registered || tooLate))
        {
            var period = reminders.MinimumReminderPeriod;
            var due = deadline is { } next && next > now ? next - now + TimeSpan.FromMilliseconds(200) : period;
            await grain.RegisterOrUpdateReminder(ReminderName, due, period);
            registered = true;
            firstTick = now + due;
        }
        else if (!needed && registered)
        {
            if (await grain.GetReminder(ReminderName) is { } reminder)
            {
                await grain.UnregisterReminder(reminder);
            }

            registered = false;
            firstTick = null;
        }
    }
}
